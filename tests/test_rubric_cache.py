"""Validated rubrics kept between runs: hits skip the checks, anything changed or damaged misses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lianchuang_cli.caching import rubric_cache
from lianchuang_cli.caching.rubric_cache import RubricCache
from lianchuang_cli.errors import InputError
from lianchuang_cli.grading import rubrics
from lianchuang_cli.grading.rubrics import RubricLoader
from lianchuang_cli.lint import engine as lint_engine
from lianchuang_cli.model.rubric import LoadedRubric
from tests.conftest import EXAMPLES, MINI_RUBRIC, RUBRICS

VILLAGE = RUBRICS / "village.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder for the test; the loaders' in-process memo starts empty."""
    monkeypatch.setattr(rubrics, "_loaded", {})
    return tmp_path / "cache"


def fresh_load(path: Path, folder: Path) -> LoadedRubric:
    """``path`` loaded as a new run would: a new loader on ``folder``, nothing remembered."""
    return fresh_loader(folder).load(path)


def fresh_loader(folder: Path) -> RubricLoader:
    rubrics._loaded.clear()
    return RubricLoader(RubricCache(folder))


def load_rubric(path: Path, folder: Path) -> LoadedRubric:
    """``path`` through a loader on ``folder`` (remembered in this process, like a run's)."""
    return RubricLoader(RubricCache(folder)).load(path)


def no_checks(*args: object, **kwargs: object) -> None:
    raise AssertionError("the checks ran although the rubric was cached")


def test_a_loaded_rubric_is_reused_without_running_the_checks(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_rubric(VILLAGE, cache)
    assert len(list(cache.glob("rubric-*.json"))) == 1
    monkeypatch.setattr(lint_engine, "lint_file", no_checks)
    again = fresh_load(VILLAGE, cache)
    assert again is not first
    assert again.rubric == first.rubric
    assert (again.path, again.sha256) == (first.path, first.sha256)
    assert again.indicator_index.keys() == first.indicator_index.keys()


def test_edited_bytes_are_checked_again(cache: Path, tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_bytes(MINI_RUBRIC.read_bytes())
    load_rubric(path, cache)
    broken = MINI_RUBRIC.read_text(encoding="utf-8").replace(
        "{name: 合格, min_score: 12}", "{name: 合格, min_score: 19}"
    )
    path.write_text(broken, encoding="utf-8")
    for _ in range(2):  # refused every time: a rubric with errors is never stored
        with pytest.raises(InputError) as caught:
            fresh_load(path, cache)
        assert [p.code for p in caught.value.problems] == ["rating-order"]
    assert len(list(cache.glob("rubric-*.json"))) == 1


def test_other_code_misses(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_rubric(VILLAGE, cache)
    monkeypatch.setattr(rubric_cache, "_fingerprint", "0" * 64)
    calls: list[Path] = []
    real = lint_engine.lint_file

    def counted(path: Path, **options: Any) -> lint_engine.RubricLint:
        calls.append(path)
        return real(path, **options)

    monkeypatch.setattr(lint_engine, "lint_file", counted)
    fresh_load(VILLAGE, cache)
    assert calls == [VILLAGE]
    assert len(list(cache.glob("rubric-*.json"))) == 2


def test_the_code_fingerprint_covers_every_module_of_the_package() -> None:
    """Editing any source file (not only the cache's own folder) must make old entries miss."""
    import lianchuang_cli

    assert Path(rubric_cache.package_folder()) == Path(lianchuang_cli.__file__).parent
    parts: list[str] = []
    rubric_cache._list_modules(rubric_cache.package_folder(), "", parts)
    names = {part.split(":")[0] for part in parts}
    assert {"entry.py", "model/rubric.py", "lint/context.py", "caching/rubric_cache.py"} <= names


def test_a_damaged_entry_is_a_miss(cache: Path) -> None:
    first = load_rubric(VILLAGE, cache)
    (entry,) = cache.glob("rubric-*.json")
    for damage in (b"{not json", b'{"id": "village"}', b""):
        entry.write_bytes(damage)
        assert fresh_load(VILLAGE, cache).rubric == first.rubric
        assert entry.read_bytes() != damage  # rewritten by the full load


def test_an_unusable_folder_is_no_error(cache: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    unusable = blocker / "cache"  # a folder inside a file: cannot exist
    assert fresh_load(VILLAGE, unusable).rubric.id == "village"
    assert fresh_load(VILLAGE, unusable).rubric.id == "village"


def test_not_used_unless_given(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core given no loader loads plainly: the user's cache folder is the command line's."""
    monkeypatch.setenv(rubric_cache.ENV_FOLDER, str(tmp_path))
    rubrics.load_rubric(VILLAGE)
    assert list(tmp_path.iterdir()) == []


def test_old_entries_are_pruned(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.mkdir()
    for number in range(rubric_cache.MAX_ENTRIES + 5):
        old = cache / f"rubric-{number:016x}-{'0' * 64}.json"
        old.write_text("{}", encoding="utf-8")
        os.utime(old, ns=(number, number))
    loaded = load_rubric(VILLAGE, cache)
    kept = sorted(p.name for p in cache.glob("rubric-*.json"))
    assert len(kept) == rubric_cache.MAX_ENTRIES
    assert f"rubric-{0:016x}-{'0' * 64}.json" not in kept
    assert any(name.endswith(f"-{loaded.sha256}.json") for name in kept)


def test_default_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(rubric_cache.ENV_FOLDER, str(tmp_path))
    assert rubric_cache.default_folder() == tmp_path
    monkeypatch.setenv(rubric_cache.ENV_FOLDER, "")
    assert rubric_cache.default_folder() is None
    if os.name != "nt":
        monkeypatch.delenv(rubric_cache.ENV_FOLDER)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        assert rubric_cache.default_folder() == tmp_path / "lianchuang"
        monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # not absolute: ignored (XDG spec)
        assert rubric_cache.default_folder() == Path.home() / ".cache" / "lianchuang"


def test_the_command_line_caches_and_prints_the_same(tmp_path: Path) -> None:
    """``score`` fills the cache on its first run and prints the same from it; an empty
    LIANCHUANG_CACHE_HOME turns the cache off."""
    example = str(EXAMPLES / "village" / "baishui_failing.yaml")

    def score(folder: str) -> str:
        env = {**os.environ, rubric_cache.ENV_FOLDER: folder, "COLUMNS": "120"}
        done = subprocess.run(
            [sys.executable, "-m", "lianchuang_cli", "score", example],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    folder = tmp_path / "cache"
    uncached = score("")
    assert not folder.exists()
    assert score(str(folder)) == uncached
    assert len(list(folder.glob("rubric-*.json"))) == 1
    assert score(str(folder)) == uncached


def test_an_edited_rubric_entry_is_rejected(cache: Path) -> None:
    """Editing the cached rubric (优秀 threshold 90 → 102) is noticed: the file is read again."""

    genuine = load_rubric(VILLAGE, cache).rubric
    (entry,) = cache.glob("rubric-*.json")
    text = entry.read_bytes()
    assert text.count(b'"min_score":"90"') == 1
    entry.write_bytes(text.replace(b'"min_score":"90"', b'"min_score":"102"'))
    loader = fresh_loader(cache)
    assert loader.load(VILLAGE).rubric == genuine
    assert any("细则缓存中有1条记录未通过校验" in notice for notice in loader.notices())


@pytest.mark.skipif(os.name == "nt", reason="permission bits describe access on POSIX")
def test_a_rubric_cache_folder_others_may_write_is_not_used(cache: Path) -> None:
    """The rubric cache is an optimisation: an unsafe folder is skipped, and that is said."""
    cache.mkdir()
    cache.chmod(0o777)
    loader = fresh_loader(cache)
    loader.load(VILLAGE)
    assert not list(cache.glob("rubric-*"))
    assert any("未使用细则缓存" in notice for notice in loader.notices())
