"""A rubric restored from its JSON without validation is the rubric validation gave."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest
from pydantic import BaseModel

from lianchuang_cli.grading.rubrics import PLAIN
from lianchuang_cli.lint.engine import lint_file
from lianchuang_cli.model.restore import UnsupportedField, restore
from lianchuang_cli.model.rubric import Rubric
from lianchuang_cli.model.rules import RULE_CLASSES
from tests.conftest import DATA, EXAMPLES, RUBRICS, run_python

CANDIDATES = sorted(
    [*RUBRICS.glob("*.yaml"), *(DATA / "rubrics").glob("*.yaml"), *(DATA / "lint").rglob("*.yaml")]
)


@cache  # the rubrics are read-only test data: linted once for every test that asks
def loaded_rubrics() -> tuple[tuple[Path, Rubric], ...]:
    """Every rubric shipped or kept as test data that loads (the lint cases with warnings only)."""
    found = []
    for path in CANDIDATES:
        loaded = lint_file(path, load=PLAIN.load).loaded
        if loaded is not None:
            found.append((path, loaded.rubric))
    return tuple(found)


def assert_same(restored: Any, validated: Any, where: str, *, fields_set: bool = True) -> None:
    """Equal, of the same types throughout (and with the same fields counted as set)."""
    assert type(restored) is type(validated), where
    if isinstance(validated, BaseModel):
        if fields_set:
            assert restored.model_fields_set == validated.model_fields_set, where
        for name in type(validated).model_fields:
            mine, theirs = getattr(restored, name), getattr(validated, name)
            assert_same(mine, theirs, f"{where}.{name}", fields_set=fields_set)
    elif isinstance(validated, list):
        assert len(restored) == len(validated), where
        for number, (mine, theirs) in enumerate(zip(restored, validated, strict=True)):
            assert_same(mine, theirs, f"{where}[{number}]", fields_set=fields_set)
    elif isinstance(validated, dict):
        assert list(restored) == list(validated), where
        for key, value in validated.items():
            assert_same(restored[key], value, f"{where}.{key}", fields_set=fields_set)
    elif isinstance(validated, Decimal):
        assert str(restored) == str(validated), where  # 5 and 5.00 are equal, not the same
    else:
        assert restored == validated, where


def test_every_loadable_rubric_restores_as_validated() -> None:
    """Shipped rubrics and the test rubrics that load (rule kinds, linked figures, band
    conditions, quotas, same counts…) come back from their dump identical, types included."""
    found = loaded_rubrics()
    assert len(found) >= 9
    kinds: set[type[object]] = set()
    for path, rubric in found:
        text = rubric.model_dump_json()
        restored = restore(Rubric, msgspec.json.decode(text))
        assert_same(restored, Rubric.model_validate_json(text), path.name)
        # The file's own validation left unset what the dump writes out (as the cache always did).
        assert_same(restored, rubric, path.name, fields_set=False)
        assert restored.model_dump_json() == text
        kinds.update(type(indicator.rule) for _, indicator in rubric.indicators())
    assert kinds == set(RULE_CLASSES)  # every rule kind was restored at least once


def test_a_field_it_cannot_rebuild_is_refused() -> None:
    """A declaration ``restore`` does not know (here a tuple) is an error, never a silent copy."""

    class Pair(BaseModel):
        both: tuple[int, int]

    with pytest.raises(UnsupportedField, match=r"Pair\.both"):
        restore(Pair, {"both": [1, 2]})


def test_score_builds_no_rubric_validator() -> None:
    """``score ONE_FILE`` with its rubric cached validates evidence only: no validator of a rubric
    model is built (README 性能: start-up)."""
    example = str(EXAMPLES / "village" / "baishui_failing.yaml")
    code = (
        "import sys\n"
        "from lianchuang_cli.entry import run\n"
        f"sys.argv = ['lianchuang', 'score', {example!r}]\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    run_python(code)  # fills the rubric cache (the session's folder), as a user's first run
    check = (
        "from lianchuang_cli.model import rubric, linked_spec\n"
        "from lianchuang_cli.model.rules import RULE_CLASSES, Tier\n"
        "models = [rubric.Rubric, rubric.Criterion, rubric.Indicator, rubric.RatingBand,\n"
        "          rubric.BonusItem, rubric.VetoItem, Tier, linked_spec.LinkedSpec, *RULE_CLASSES]\n"
        "built = [m.__name__ for m in models if m.__pydantic_complete__]\n"
        "assert not built, built\n"
    )
    run_python(code + check)
