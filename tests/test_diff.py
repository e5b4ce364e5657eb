"""``lianchuang diff``: structural changes, the corpus effect, and every output format."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.diffing.corpus import corpus_files, diff_corpus
from lianchuang_cli.diffing.structure import diff_rubrics
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.reports.registry import DIFF_FORMATS as FORMATS
from tests.conftest import EXAMPLES, MINI_RUBRIC, RUBRICS

VILLAGE = RUBRICS / "village.yaml"


def edited(tmp_path: Path, source: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of a rubric with text replaced (each replacement must apply exactly once)."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"{source.stem}-new.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_structural_changes_are_named(tmp_path: Path) -> None:
    """Added, removed, re-weighted and re-ruled indicators, and a changed band."""
    new = edited(
        tmp_path,
        MINI_RUBRIC,
        (
            "rule: {kind: count, required: 4, deduct_per_miss: 1.5}",
            "rule: {kind: count, required: 6, deduct_per_miss: 1}",
        ),
        (
            "      - id: industry\n        name: 主导产业\n        points: 5",
            "      - id: economy\n        name: 集体经济\n        points: 5",
        ),
        ("{name: 合格, min_score: 12}", "{name: 合格, min_score: 13}"),
    )
    diff = diff_rubrics(load_rubric(MINI_RUBRIC).rubric, load_rubric(new).rubric)
    meetings = diff.indicator("meetings")
    assert meetings is not None
    assert meetings.kinds == ("rule_changed",)
    assert meetings.details == ("rule.required 4 → 6", "rule.deduct_per_miss 1.5 → 1")
    assert diff.indicator("industry") is not None
    assert diff.indicator("industry").kinds == ("removed",)  # type: ignore[union-attr]
    assert diff.indicator("economy").kinds == ("added",)  # type: ignore[union-attr]
    bands = [c for c in diff.changes if c.section == "rating"]
    assert [(c.key, c.details) for c in bands] == [("合格", ("min_score 12 → 13",))]


def test_reweighting_is_its_own_kind(tmp_path: Path) -> None:
    """Points moved between two indicators show as re-weighted with both figures."""
    new = edited(
        tmp_path,
        MINI_RUBRIC,
        (
            "        points: 4\n        requirement: 有年度规划得4分",
            "        points: 3\n        requirement: 有年度规划得3分",
        ),
        (
            "        points: 6\n        requirement: 每季度1次",
            "        points: 7\n        requirement: 每季度1次",
        ),
    )
    diff = diff_rubrics(load_rubric(MINI_RUBRIC).rubric, load_rubric(new).rubric)
    plan = diff.indicator("plan")
    assert plan is not None
    assert plan.kinds == ("reweighted",)
    assert (plan.old_points, plan.new_points) == (Decimal(4), Decimal(3))


def test_a_first_list_entry_reads_as_added_and_a_last_as_removed(tmp_path: Path) -> None:
    """An empty list gaining entries lists each new field, never "quotas [] → （无）"."""
    township = RUBRICS / "township.yaml"
    text = township.read_text(encoding="utf-8")
    assert "\nquotas:" not in text
    new = tmp_path / "township-quotas.yaml"
    new.write_text(text + "quotas: [{rating: 优秀, max_percent: 20}]\n", encoding="utf-8")
    old_rubric, new_rubric = load_rubric(township).rubric, load_rubric(new).rubric
    added = [c.details for c in diff_rubrics(old_rubric, new_rubric).changes]
    removed = [c.details for c in diff_rubrics(new_rubric, old_rubric).changes]
    assert added == [("quotas[0].rating （无） → 优秀", "quotas[0].max_percent （无） → 20")]
    assert removed == [("quotas[0].rating 优秀 → （无）", "quotas[0].max_percent 20 → （无）")]


def test_same_rubric_has_no_changes() -> None:
    """A rubric compared with itself differs nowhere."""
    rubric = load_rubric(VILLAGE).rubric
    assert diff_rubrics(rubric, rubric).changes == ()


def stricter_village(tmp_path: Path) -> Path:
    """Next year's village rubric: youth threshold 15 % → 20 %, 良好 from 80 to 88."""
    return edited(
        tmp_path,
        VILLAGE,
        ("threshold: 15, deduct_per_point: 0.2}", "threshold: 20, deduct_per_point: 0.2}"),
        ("{name: 良好, min_score: 80}", "{name: 良好, min_score: 88}"),
        ('version: "2026.3"', 'version: "2027.1"'),
        ("\nyear: 2026\n", "\nyear: 2027\n"),
    )


def test_corpus_transitions_and_drivers(tmp_path: Path) -> None:
    """石桥 drops 良好 → 合格, the youth indicator explains every unit's change."""
    old, new = load_rubric(VILLAGE), load_rubric(stricter_village(tmp_path))
    corpus = diff_corpus(old, new, corpus_files([EXAMPLES / "village"]))
    assert len(corpus.units) == len(list((EXAMPLES / "village").glob("*.yaml")))
    assert ("良好", "合格", 1) in corpus.transitions
    assert corpus.changed_rating == 1
    top = corpus.drivers[0]
    assert top.key == "young_member_share"
    assert top.rating_changes == 1
    for unit in corpus.units:
        assert sum((d.delta for d in unit.drivers), Decimal(0)) == unit.delta
    assert corpus.ungradable == ()


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format(tmp_path: Path, output_format: str) -> None:
    """Each format names the changed indicator and the rating move."""
    new = stricter_village(tmp_path)
    args = ["diff", "village", str(new), "--corpus", str(EXAMPLES / "village")]
    result = CliRunner().invoke(main, [*args, "--format", output_format])
    assert result.exit_code == 0, result.output
    assert "young_member_share" in result.stdout
    if output_format == "json":
        payload = json.loads(result.stdout)
        assert {"old": "良好", "new": "合格", "units": 1} in payload["corpus"]["transitions"]
    if output_format == "markdown":
        # Each rubric by id, version and short digest; the edited copy says it is not shipped.
        heading = result.stdout.splitlines()[0]
        assert re.match(
            r"### 考评细则 village 2026\.3 · [0-9a-f]{8} → village 2027\.1 · [0-9a-f]{8}，"
            r"非内置版本（内置为 2026\.3）",
            heading,
        ), heading
        assert "| 良好 |  | 1 | 1 |  |" in result.stdout


def test_broken_rubric_cannot_be_compared(tmp_path: Path) -> None:
    """A rubric with errors stops diff with exit 2 and its problems."""
    broken = edited(tmp_path, VILLAGE, ("total_points: 100", "total_points: 90"))
    result = CliRunner().invoke(main, ["diff", "village", str(broken)])
    assert result.exit_code == 2
    assert "[criteria-total]" in result.stderr
