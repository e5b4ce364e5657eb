"""Loading a rubric for grading: read, validated and checked once, refused on any error.

A layer above the rubric model (``model.rubric``) and the checks (``lint``), which both stay
unaware of it: the checks that need another rubric get ``load_rubric`` passed in
(``lint.context.RubricContext.load``).
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from lianchuang_cli.errors import InputError
from lianchuang_cli.model.rubric import LoadedRubric, shipped_rubrics_dir


@cache
def load_rubric(path: Path) -> LoadedRubric:
    """Load a rubric file for grading; raise ``InputError`` listing every error ``check`` finds.

    When the command line keeps a rubric cache (``rubric_cache``), a rubric that loaded before
    with the same bytes and the same code is taken from there, without running the checks again.
    The checks that compare the rubric with another one (the shipped rubric of its id, the rubric
    of the level below) load that one through this function, passed to them.
    """
    from lianchuang_cli.caching import rubric_cache

    cached = rubric_cache.load(path)
    if cached is not None:
        return cached
    # Imported at call time: a rubric found in the rubric cache needs no checks (start-up time).
    from lianchuang_cli.lint.engine import lint_file

    linted = lint_file(path, load=load_rubric)
    if linted.loaded is None:
        raise InputError(list(linted.errors))
    rubric_cache.store(linted.loaded)
    return linted.loaded


def shipped_identity(rubric_id: str) -> tuple[str, str] | None:
    """(version, sha256) of the shipped rubric ``rubric_id``, or None when none is shipped."""
    path = shipped_rubrics_dir() / f"{rubric_id}.yaml"
    if not rubric_id.isidentifier() or not path.is_file():
        return None
    return _shipped_identity(path)


@lru_cache(maxsize=8)
def _shipped_identity(path: Path) -> tuple[str, str]:
    # Loading lints the shipped rubric, whose ``shipped-modified`` check compares bytes only.
    loaded = load_rubric(path)
    return loaded.rubric.version, loaded.sha256
