"""Loading a rubric for grading: read, validated and checked once, refused on any error.

A layer above the rubric model (``model.rubric``) and the checks (``lint``), which both stay
unaware of it: the checks that need another rubric get the loader's ``load`` passed in
(``lint.context.RubricContext.load``).

How rubrics are loaded is an object passed down, never a setting of this module: whoever starts
a run makes a ``RubricLoader`` (the command line: with the user's rubric cache) and hands it to
the grading plan, the engine (and with its work to the worker processes), grade-tree, diff,
publish and check. Core callers given no loader load plainly (``PLAIN``: no rubric cache).
Kept light to import: the command line makes its loader before it knows the command.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lianchuang_cli.caching.rubric_cache import RubricCache
    from lianchuang_cli.model.rubric import LoadedRubric

_loaded: dict[tuple[Path, Path, Path | None], LoadedRubric] = {}
"""Rubrics loaded in this process, by file (where it is, and the path as given, which the loaded
rubric carries) and rubric-cache folder (None: plain). A pure memo, on the understanding that a
rubric file does not change during a run: every file graded in a process (a worker's chunks
included) is graded against the same rubric, checked once."""


class RubricLoader:
    """Loads rubrics for grading (``load``), from ``cache`` when it has them.

    Picklable (the cache's folder travels, not its state), so that worker processes, started by
    fork or by spawn, load through the same cache as the process that started them.
    """

    __slots__ = ("cache",)

    def __init__(self, cache: RubricCache | None = None) -> None:
        self.cache = cache

    def __reduce__(self) -> tuple[type[RubricLoader], tuple[RubricCache | None]]:
        return (RubricLoader, (self.cache,))

    def load(self, path: Path) -> LoadedRubric:
        """The rubric file at ``path``, checked; ``InputError`` lists every error ``check`` finds.

        A rubric this process loaded already is not read again. With a cache, a rubric that loaded
        before with the same bytes and the same code is taken from there, without the checks. The
        checks that compare the rubric with another one (the shipped rubric of its id, the rubric
        of the level below) load that one through this loader.
        """
        # Where the file is, not only the path as given: a relative path names another file
        # once the process has changed directory (``publish`` grades inside the evidence folder).
        key = (path.absolute(), path, None if self.cache is None else self.cache.folder)
        loaded = _loaded.get(key)
        if loaded is None:
            loaded = _loaded[key] = self._load(path)
        return loaded

    def _load(self, path: Path) -> LoadedRubric:
        if self.cache is not None:
            cached = self.cache.load(path)
            if cached is not None:
                return cached
        # Imported at call time: a rubric found in the rubric cache needs no checks (start-up).
        from lianchuang_cli.errors import InputError
        from lianchuang_cli.lint.engine import lint_file

        linted = lint_file(path, load=self.load)
        if linted.loaded is None:
            raise InputError(list(linted.errors))
        if self.cache is not None:
            self.cache.store(linted.loaded)
        return linted.loaded

    def notices(self) -> list[str]:
        """What the user should hear about the rubric cache in this run (``RubricCache.notices``)."""
        return [] if self.cache is None else self.cache.notices()


PLAIN = RubricLoader()
"""Plain loading, without a rubric cache: the core's default where no loader is passed."""


def load_rubric(path: Path) -> LoadedRubric:
    """``path`` loaded plainly (``PLAIN``): for callers that keep no rubric cache."""
    return PLAIN.load(path)


def shipped_digest(rubric_id: str) -> str | None:
    """The sha256 of the shipped rubric ``rubric_id`` (as ``LoadedRubric.sha256``), or None when
    none is shipped."""
    from lianchuang_cli.model.rubric import shipped_rubrics_dir

    path = shipped_rubrics_dir() / f"{rubric_id}.yaml"
    if not rubric_id.isidentifier() or not path.is_file():
        return None
    return _file_digest(path)


@cache
def _file_digest(path: Path) -> str:
    # A pure memo: the shipped rubrics are part of the installed code, unchanged while it runs.
    from lianchuang_cli.digests import sha256_bytes

    return sha256_bytes(path.read_bytes())


def shipped_version(rubric_id: str) -> str:
    """The version of the shipped rubric ``rubric_id`` (``shipped_digest`` says there is one)."""
    from lianchuang_cli.model.rubric import shipped_rubrics_dir

    return load_rubric(shipped_rubrics_dir() / f"{rubric_id}.yaml").rubric.version
