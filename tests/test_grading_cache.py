"""The parsed-evidence cache: same outcomes as a fresh read, misses on any change, never an error."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.cli import main
from lianchuang_cli.grading import grade_file
from lianchuang_cli.grading_cache import CachedDocument, EvidenceCache, _decode, _encode
from tests.conftest import EXAMPLES


def entries(folder: Path) -> int:
    """How many parsed files the cache folder holds."""
    (database,) = folder.glob("*.db")
    with sqlite3.connect(database) as connection:
        count: int = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    return count


CASES = sorted((EXAMPLES / "village").glob("*.yaml")) + sorted(
    (EXAMPLES / "invalid").glob("*.yaml")
)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_cached_outcome_equals_fresh_outcome(path: Path, tmp_path: Path) -> None:
    """Cold and warm cache both give exactly the outcome of an uncached read, problems included."""
    fresh = grade_file(path)
    cache = EvidenceCache(tmp_path)
    assert grade_file(path, cache=cache) == fresh
    assert grade_file(path, cache=cache) == fresh


def test_unchanged_bytes_are_not_parsed_again(tmp_path: Path) -> None:
    """The second read comes from the entry; an edited file misses and gets its own entry."""
    source = tmp_path / "unit.yaml"
    source.write_bytes((EXAMPLES / "village" / "taoyuan_excellent.yaml").read_bytes())
    cache = EvidenceCache(tmp_path / "cache")
    assert not isinstance(cache.read(source), CachedDocument)
    assert isinstance(cache.read(source), CachedDocument)
    source.write_text(source.read_text("utf-8") + "\n# 改动\n", encoding="utf-8")
    assert not isinstance(cache.read(source), CachedDocument)
    assert entries(tmp_path / "cache") == 2


def test_corrupt_or_unwritable_entries_are_misses(tmp_path: Path) -> None:
    """A damaged entry or database is a miss; a cache folder that cannot be made still grades."""
    path = EXAMPLES / "village" / "shiqiao_good.yaml"
    fresh = grade_file(path)
    cache = EvidenceCache(tmp_path / "c")
    grade_file(path, cache=cache)
    with sqlite3.connect(cache.database) as connection:
        connection.execute('UPDATE entries SET entry = \'{"data": {"$d": "x"}}\'')
    assert grade_file(path, cache=cache) == fresh
    broken = tmp_path / "broken"
    broken.mkdir()
    EvidenceCache(broken).database.write_bytes(b"not a database" * 100)
    assert grade_file(path, cache=EvidenceCache(broken)) == fresh
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    assert grade_file(path, cache=EvidenceCache(blocked)) == fresh


def test_values_round_trip_exactly() -> None:
    """Decimals keep their digits, keys starting with "$" survive, ints and bools stay apart."""
    data = {
        "$d": "text",
        "$$x": [Decimal("2.50"), Decimal("1E+3"), 1, True, None, "0571"],
        "n": {"$d": Decimal("-0.0")},
    }
    back = json.loads(json.dumps(_encode(data)), object_hook=_decode)
    assert back == data
    assert [str(v) for v in back["$$x"][:2]] == ["2.50", "1E+3"]
    assert type(back["$$x"][2]) is int
    assert back["$$x"][3] is True
    assert str(back["n"]["$d"]) == "-0.0"


def test_score_cache_option(tmp_path: Path) -> None:
    """``score --cache DIR`` fills the folder and grades the same the second time."""
    runner = CliRunner()
    files = [str(p) for p in sorted((EXAMPLES / "village").glob("*.yaml"))]
    args = ["score", *files, "--format", "json", "--cache", str(tmp_path / "c")]
    first = runner.invoke(main, args)
    second = runner.invoke(main, args)
    assert first.exit_code == second.exit_code == 0, first.output
    assert json.loads(first.output) == json.loads(second.output)
    assert entries(tmp_path / "c") == len(files)


def test_batch_cache_option(tmp_path: Path) -> None:
    """``batch --cache DIR`` grades a folder the same with a cold and a warm cache."""
    runner = CliRunner()
    args = ["batch", str(EXAMPLES / "village"), "--jobs", "1", "--format", "json"]
    cached = [*args, "--cache", str(tmp_path / "c")]
    plain = runner.invoke(main, args)
    cold = runner.invoke(main, cached)
    warm = runner.invoke(main, cached)
    assert plain.exit_code == cold.exit_code == warm.exit_code == 0, plain.output
    assert json.loads(plain.stdout) == json.loads(cold.stdout) == json.loads(warm.stdout)


def test_dollar_keys_come_back_from_an_entry(tmp_path: Path) -> None:
    """Keys that look like the decimal tag are stored escaped and read back as written."""
    source = tmp_path / "odd.yaml"
    source.write_text('"$d": "1.5"\nx: {"$d": 2.5, "$$y": [1.50, "$d"]}\n', encoding="utf-8")
    cache = EvidenceCache(tmp_path / "cache")
    fresh = cache.read(source)
    cached = cache.read(source)
    assert isinstance(cached, CachedDocument)
    assert cached.data == fresh.data
    assert str(cached.data["x"]["$$y"][0]) == "1.50"
